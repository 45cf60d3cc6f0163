/** MSG-24: "X is typing…", "X and Y are typing…", "X, Y, and Z are typing…", "X, Y, and N others are typing…". */
export function typingLine(names: readonly string[]): string {
  const [first, second, third] = names;
  if (first === undefined) return '';
  if (second === undefined) return `${first} is typing…`;
  if (third === undefined) return `${first} and ${second} are typing…`;
  if (names.length === 3) return `${first}, ${second}, and ${third} are typing…`;
  return `${first}, ${second}, and ${names.length - 2} others are typing…`;
}
