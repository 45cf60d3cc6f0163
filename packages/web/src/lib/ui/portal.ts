/** Attachment that moves an element to the end of <body>, out of any clipping or stacking ancestor. */
export function portal(node: HTMLElement): () => void {
  document.body.appendChild(node);
  return () => node.remove();
}
