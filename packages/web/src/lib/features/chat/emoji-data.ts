/** The quick-reaction row (MSG-20). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

/** Built-in shortcodes for `:name` completion and the reaction picker, most used first within each line. */
const TABLE = `
smile 😄 grin 😁 joy 😂 rofl 🤣 smiley 😃 sweat_smile 😅 laughing 😆 wink 😉 blush 😊 innocent 😇
slightly_smiling_face 🙂 upside_down_face 🙃 relieved 😌 heart_eyes 😍 star_struck 🤩 kissing_heart 😘
yum 😋 stuck_out_tongue 😛 stuck_out_tongue_winking_eye 😜 zany_face 🤪 nerd_face 🤓 sunglasses 😎
thinking 🤔 hugs 🤗 shushing_face 🤫 raised_eyebrow 🤨 neutral_face 😐 expressionless 😑 no_mouth 😶
smirk 😏 unamused 😒 roll_eyes 🙄 grimacing 😬 lying_face 🤥 pensive 😔 sleepy 😪 sleeping 😴
mask 😷 nauseated_face 🤢 sneezing_face 🤧 hot_face 🥵 cold_face 🥶 dizzy_face 😵 exploding_head 🤯
cowboy_hat_face 🤠 partying_face 🥳 confused 😕 worried 😟 frowning_face ☹️ open_mouth 😮 hushed 😯
astonished 😲 flushed 😳 pleading_face 🥺 fearful 😨 cold_sweat 😰 cry 😢 sob 😭 scream 😱
confounded 😖 persevere 😣 disappointed 😞 sweat 😓 weary 😩 tired_face 😫 yawning_face 🥱 triumph 😤
rage 😡 angry 😠 skull 💀 poop 💩 clown_face 🤡 ghost 👻 alien 👽 robot 🤖 see_no_evil 🙈
thumbsup 👍 thumbsdown 👎 ok_hand 👌 v ✌️ crossed_fingers 🤞 wave 👋 clap 👏 raised_hands 🙌
pray 🙏 handshake 🤝 muscle 💪 point_up ☝️ point_down 👇 point_left 👈 point_right 👉 fist 👊
eyes 👀 brain 🧠 heart ❤️ orange_heart 🧡 yellow_heart 💛 green_heart 💚 blue_heart 💙
purple_heart 💜 black_heart 🖤 broken_heart 💔 sparkling_heart 💖 fire 🔥 sparkles ✨ star ⭐ zap ⚡
boom 💥 100 💯 tada 🎉 confetti_ball 🎊 balloon 🎈 gift 🎁 trophy 🏆 medal 🏅 rocket 🚀
white_check_mark ✅ heavy_check_mark ✔️ x ❌ warning ⚠️ question ❓ exclamation ❗ bulb 💡 bell 🔔
lock 🔒 key 🔑 hammer 🔨 wrench 🔧 gear ⚙️ link 🔗 pushpin 📌 memo 📝 calendar 📅 chart_with_upwards_trend 📈
coffee ☕ tea 🍵 beer 🍺 wine_glass 🍷 pizza 🍕 hamburger 🍔 cake 🍰 cookie 🍪 apple 🍎 avocado 🥑
sun ☀️ cloud ☁️ rainbow 🌈 snowflake ❄️ umbrella ☂️ seedling 🌱 rose 🌹 sunflower 🌻 cat 🐱 dog 🐶
fox_face 🦊 bear 🐻 panda_face 🐼 unicorn 🦄 bee 🐝 butterfly 🦋 turtle 🐢 octopus 🐙 penguin 🐧
`;

export interface EmojiEntry {
  name: string;
  char: string;
}

export const EMOJI: readonly EmojiEntry[] = (() => {
  const parts = TABLE.trim().split(/\s+/);
  const entries: EmojiEntry[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    entries.push({ name: parts[i] as string, char: parts[i + 1] as string });
  }
  return entries;
})();

/** Shortcodes starting with the query first, then those containing it; at most `limit`. */
export function searchEmoji(query: string, limit = 8): EmojiEntry[] {
  const needle = query.toLowerCase().replace(/^:/, '');
  if (!needle) return EMOJI.slice(0, limit);
  const starts = EMOJI.filter((entry) => entry.name.startsWith(needle));
  const contains = EMOJI.filter((entry) => !entry.name.startsWith(needle) && entry.name.includes(needle));
  return [...starts, ...contains].slice(0, limit);
}
