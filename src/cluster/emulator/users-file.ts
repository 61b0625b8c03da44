/**
 * The emulator's users file (YAML or JSON): the service key it accepts, plans with their
 * quotas, and users. Parsed and validated with zod so a typo fails at startup, not mid-test.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NexusError } from '../../errors.js';
import { quotasSchema, userIdSchema, userStatusSchema } from '../hivehub-schemas.js';

const limit = z.number().int().nonnegative().nullable();

export const partialQuotasSchema = z
  .object({ storage_bytes: limit, requests_per_minute: limit, requests_per_hour: limit })
  .partial()
  .strict();

/** One user as written in the file or posted to `POST /__emulator/users` (only user_id is required there). */
export const emulatorUserInputSchema = z
  .object({
    user_id: userIdSchema,
    plan: z.string().min(1).optional(),
    status: userStatusSchema.optional(),
    email: z.string().optional(),
    display_name: z.string().optional(),
    database_id: z.string().min(1).optional(),
    created_at: z.string().min(1).optional(),
    /** Storage the user holds before any usage report arrives. */
    storage_bytes: z.number().int().nonnegative().optional(),
    /** Per-user overrides of the plan's quotas. */
    quotas: partialQuotasSchema.optional(),
    /** Per-user override of the file-wide cache hint. */
    cache_ttl_seconds: z.number().nonnegative().optional(),
  })
  .strict();
export type EmulatorUserInput = z.infer<typeof emulatorUserInputSchema>;

export const DEFAULT_EMULATOR_SERVICE_KEY = 'nexus-emulator-key';
export const DEFAULT_EMULATOR_PLANS = {
  free: { storage_bytes: 104_857_600, requests_per_minute: 60, requests_per_hour: 1000 },
  pro: { storage_bytes: 1_073_741_824, requests_per_minute: 600, requests_per_hour: 20_000 },
  unlimited: { storage_bytes: null, requests_per_minute: null, requests_per_hour: null },
};

export const usersFileSchema = z
  .object({
    service_api_key: z.string().min(1).default(DEFAULT_EMULATOR_SERVICE_KEY),
    cache_ttl_seconds: z.number().nonnegative().default(60),
    plans: z.record(z.string(), quotasSchema).default(DEFAULT_EMULATOR_PLANS),
    users: z.array(emulatorUserInputSchema).default([]),
  })
  .strict();
export type UsersFile = z.infer<typeof usersFileSchema>;
export type UsersFileInput = z.input<typeof usersFileSchema>;

/** Validates an already-parsed users document. */
export function parseUsersFile(doc: unknown, source = 'users file'): UsersFile {
  const parsed = usersFileSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    throw new NexusError('INVALID_BODY', `invalid ${source}: ${z.prettifyError(parsed.error)}`);
  }
  for (const user of parsed.data.users) {
    if (user.plan !== undefined && !(user.plan in parsed.data.plans)) {
      throw new NexusError(
        'INVALID_BODY',
        `invalid ${source}: user ${user.user_id} has unknown plan ${user.plan}`,
      );
    }
  }
  return parsed.data;
}

/** Reads a `.yml`/`.yaml`/`.json` users file (YAML is a superset of JSON, so one parser serves both). */
export async function loadUsersFile(path: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new NexusError('INVALID_PARAMETER', `cannot read users file ${path}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) as unknown;
  } catch (err) {
    throw new NexusError('INVALID_BODY', `users file ${path} is not valid YAML/JSON`, { cause: err });
  }
  return parseUsersFile(doc, `users file ${path}`);
}
