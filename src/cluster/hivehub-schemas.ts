/**
 * The HiveHub control-plane wire format (contract v1, /work/shared/hivehub-api.md) as zod
 * schemas. The client validates every answer with them and the emulator validates every
 * request with them, so both sides agree on one definition.
 */
import { z } from 'zod';
import { USER_ID_PATTERN } from './namespace.js';

/** What Nexus sends: exact, safe integers. */
const byteCount = z.number().int().nonnegative();
/**
 * What HiveHub answers: any non-negative integer. The contract sets no upper bound and
 * HiveHub's SDK is Rust (u64), so a limit above 2^53 is legal; it arrives rounded, which is
 * harmless for a limit, while refusing it would lock the tenant out.
 */
const wireCount = z
  .number()
  .nonnegative()
  .refine((n) => Number.isInteger(n), 'expected an integer');
const nullableLimit = wireCount.nullable();
/** Answers' timestamps: read leniently (Nexus only displays them). */
const rfc3339 = z.string().min(1);
/** Timestamps Nexus sends: RFC 3339 in UTC, as the contract requires. */
const rfc3339Utc = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]00:00)$/)
  .refine((t) => !Number.isNaN(Date.parse(t)), 'expected a valid date');

export const userIdSchema = z.string().regex(USER_ID_PATTERN);

export const quotasSchema = z.object({
  storage_bytes: nullableLimit,
  requests_per_minute: nullableLimit,
  requests_per_hour: nullableLimit,
});
export type WireQuotas = z.infer<typeof quotasSchema>;

export const userStatusSchema = z.enum(['active', 'suspended']);
export type UserStatus = z.infer<typeof userStatusSchema>;

export const userDatabaseSchema = z.object({
  user_id: z.string(),
  database_id: z.string(),
  status: userStatusSchema,
  plan: z.string(),
  quotas: quotasSchema,
  usage: z.object({ storage_bytes: wireCount, updated_at: rfc3339.nullable() }),
  cache_ttl_seconds: z.number().nonnegative(),
});
export type UserDatabase = z.infer<typeof userDatabaseSchema>;

export const userInfoSchema = z.object({
  user_id: z.string(),
  email: z.string(),
  display_name: z.string(),
  plan: z.string(),
  status: userStatusSchema,
  created_at: rfc3339,
});
export type UserInfo = z.infer<typeof userInfoSchema>;

export const quotaOperationSchema = z.enum(['write', 'import']);
export type QuotaOperation = z.infer<typeof quotaOperationSchema>;

export const quotaCheckRequestSchema = z.object({
  user_id: userIdSchema,
  operation: quotaOperationSchema,
  estimated_bytes: byteCount,
});
export type QuotaCheckRequest = z.infer<typeof quotaCheckRequestSchema>;

export const quotaCheckResponseSchema = z.object({
  allowed: z.boolean(),
  reason: z.string().nullable().optional(),
  storage_bytes_limit: nullableLimit,
  storage_bytes_used: wireCount,
  storage_bytes_remaining: nullableLimit,
});
export type QuotaCheckResponse = z.infer<typeof quotaCheckResponseSchema>;

export const usageUserSchema = z.object({
  user_id: userIdSchema,
  requests: byteCount,
  read_queries: byteCount,
  write_queries: byteCount,
  nodes_created: byteCount,
  relationships_created: byteCount,
  nodes_deleted: byteCount,
  relationships_deleted: byteCount,
  storage_bytes: byteCount,
});
export type UsageUser = z.infer<typeof usageUserSchema>;

/** The contract caps a report at 1000 users; larger batches are split by the sender. */
export const MAX_USERS_PER_REPORT = 1000;

export const usageReportSchema = z.object({
  report_id: z.string().min(1).max(128),
  instance_id: z.string().min(1),
  period_start: rfc3339Utc,
  period_end: rfc3339Utc,
  users: z.array(usageUserSchema).max(MAX_USERS_PER_REPORT),
});
export type UsageReport = z.infer<typeof usageReportSchema>;

export const usageResponseSchema = z.object({
  accepted: z.boolean(),
  report_id: z.string(),
  duplicate: z.boolean(),
});
export type UsageResponse = z.infer<typeof usageResponseSchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
