import { z } from 'zod';
import { SECRET_METADATA } from './secret.js';

/**
 * A secret parameter, after Prefect's SecretStr: a zod string schema whose
 * value reaches the flow as given but reads '********' wherever flowrun shows
 * it (parameter errors, `flow config`, `flow ls`, `flow graph`).
 *
 * ```ts
 * params: z.object({ token: secret(), dsn: secret().min(10).optional() })
 * ```
 *
 * It takes z.string()'s options (a custom error message) and keeps its mark
 * through .min(), .regex(), .trim(), .describe(), .optional(), .default(),
 * .nullable() and the like.
 */
export const secret = (params?: Parameters<typeof z.string>[0]): z.ZodString => z.string(params).meta({ ...SECRET_METADATA });
