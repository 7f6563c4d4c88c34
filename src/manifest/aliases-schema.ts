// The schema of aliases.yaml (zod), apart from its loader so that a repository without the file never
// loads zod for it; the JSON Schema for editors is generated from it too.
import { z } from "zod";

const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
export const ASSET_KEY = /^(model|data|environment|component|datastore):[^:@\s/\\]+$/;
export const DURATION = /^\d+(m|h|d|w)$/;

const aliasName = z.string().regex(ALIAS_NAME, { message: "an alias name is lower-case letters, digits, _ and -, starting with a letter" });

export const aliasesSchema = z.strictObject({
  $schema: z.string().optional(),
  aliases: z
    .record(
      // Keys and soak times are checked by the loader, which words and locates the problem better.
      z.string().meta({ description: "KIND:NAME" }),
      z.record(aliasName, z.union([z.string().min(1), z.number().int().nonnegative()])).meta({ description: "Alias → version of this asset." }),
    )
    .default({})
    .meta({ description: "KIND:NAME → { alias: version }, e.g. model:churn: { staging: 4, production: 3 }." }),
  policy: z
    .strictObject({
      names: z.array(aliasName).optional().meta({ description: "The alias names allowed; any name but the reserved ones when absent." }),
      order: z
        .array(aliasName)
        .default([])
        .meta({ description: "A promotion chain, e.g. [staging, production]: each alias only takes a version the one before it has held." }),
      soak: z
        .record(aliasName, z.string().meta({ description: "30m, 12h, 3d or 1w" }))
        .default({})
        .meta({ description: "Alias → how long the alias before it in `order` must have held a version (30m, 12h, 3d, 1w) before this one takes it." }),
      protected: z
        .array(aliasName)
        .default([])
        .meta({ description: "Aliases that move only with --allow-protected (the apply-on-merge workflow passes it; watch --apply never does)." }),
    })
    .default({ order: [], soak: {}, protected: [] })
    .meta({ description: "What moves the aliases may make." }),
});

export type AliasesInput = z.output<typeof aliasesSchema>;

/** `30m`, `12h`, `3d`, `1w` in milliseconds. */
export function soakMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) return 0;
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[1] as "m" | "h" | "d" | "w"];
  return Number.parseInt(text, 10) * unit;
}
