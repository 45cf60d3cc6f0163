import { z } from 'zod';
import { utf8Length } from './common.js';
import { isImageUrl, profileLimits } from './profile.js';

/** Largest preferences object a client may send, serialized (rest-api.md §6). */
export const preferencesMaxBytes = 16_384;

/** Hex, an rgb()/hsl() of plain numbers, or a colour name: nothing that can leave a CSS declaration. */
const cssColor = z
  .string()
  .max(64)
  .regex(
    /^(#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})|(rgb|hsl)a?\([0-9a-z\s.,%/+-]*\)|[a-z]+)$/i,
    'must be a CSS colour',
  );

const imageUrl = z
  .string()
  .refine(
    (url) => utf8Length(url) <= profileLimits.imageUrl && isImageUrl(url),
    'must be an http(s) or /api/ URL',
  );

/** A `KeyboardEvent.key` value such as " ", "m" or "F13"; never a control character or a lone surrogate. */
const keyName = z
  .string()
  .max(32)
  .regex(/^[^\p{Cc}\p{Cs}]+$/u, 'must be a key name');
const percent = z.number().min(0).max(200);

const customThemeColors = z.strictObject({
  bgPrimary: cssColor,
  bgSecondary: cssColor,
  bgTertiary: cssColor,
  textPrimary: cssColor,
  textSecondary: cssColor,
  accent: cssColor,
  accentHover: cssColor,
});

const voiceBackground = z.strictObject({
  type: z.enum(['none', 'solid', 'gradient', 'preset', 'custom']),
  color: cssColor.optional(),
  gradientFrom: cssColor.optional(),
  gradientTo: cssColor.optional(),
  gradientAngle: z.number().min(0).max(360).optional(),
  presetId: z.enum(['fireplace', 'aurora', 'rain', 'sunset', 'space', 'cozy']).optional(),
  customUrl: imageUrl.optional(),
});

/** Every synced preference key and its allowed values (web-client.md §4.9); all optional. */
export const preferencesSchema = z
  .strictObject(
    {
      theme: z.enum(['dark', 'light', 'system']),
      presetTheme: z.enum([
        'default',
        'monokai',
        'dracula',
        'nord',
        'solarized',
        'amoled',
        'catppuccin',
        'custom',
      ]),
      customThemeColors,
      accentColor: z.enum(['blue', 'purple', 'green', 'orange', 'red', 'pink', 'teal', 'cyan']),
      messageDensity: z.enum(['cozy', 'compact']),
      chatBubbleStyle: z.enum(['flat', 'bubbles']),
      sidebarLayout: z.enum(['expanded', 'compact']),
      timeFormat: z.enum(['12h', '24h']),
      relativeTimestamps: z.boolean(),
      uiZoom: z.number().int().min(50).max(200),
      fontSize: z.enum(['small', 'medium', 'large']),
      reduceMotion: z.boolean(),
      animatedAccent: z.boolean(),
      sendBehavior: z.enum(['enter', 'ctrl-enter']),
      showFormattingToolbar: z.boolean(),
      showLinkPreviews: z.boolean(),
      sendReadReceipts: z.boolean(),
      noiseSuppression: z.enum(['off', 'noise-gate', 'standard', 'maximum']),
      inputGain: percent,
      outputVolume: percent,
      echoCancellation: z.boolean(),
      autoGainControl: z.boolean(),
      voiceActivationMode: z.enum(['open-mic', 'push-to-talk', 'toggle-mute']),
      pttKey: keyName,
      toggleMuteKey: keyName,
      autoHideParticipantsOnStream: z.boolean(),
      voiceBackground,
      desktopNotifyDm: z.boolean(),
      desktopNotifyMention: z.boolean(),
      desktopNotifyChannel: z.boolean(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown preference ${issue.keys.map((key) => `"${key}"`).join(', ')}`
          : undefined,
    },
  )
  .partial();
export type Preferences = z.infer<typeof preferencesSchema>;

/**
 * `{preferences}`: a JSON object whose size is checked before its keys, so that oversized input gets
 * the reference's message whatever it contains.
 */
export const updatePreferencesRequest = z
  .object({ preferences: z.record(z.string(), z.unknown(), 'must be a JSON object') })
  .refine(
    (body) => utf8Length(JSON.stringify(body.preferences)) <= preferencesMaxBytes,
    'preferences too large (max 16 KB)',
  )
  .pipe(z.object({ preferences: preferencesSchema }));
export interface UpdatePreferencesRequest {
  preferences: Preferences;
}

export interface PreferencesResponse {
  preferences: Preferences;
}
