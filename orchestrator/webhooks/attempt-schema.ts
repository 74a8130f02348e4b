/**
 * The wire shape of one webhook delivery attempt (kept here, beside the delivery log that writes it;
 * the API's schemas and the OpenAPI document re-export it).
 */
import { z } from 'zod';

/** One delivery attempt of one event to one endpoint. */
export const WebhookAttempt = z
  .object({
    eventId: z.string(),
    event: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    target: z.string().describe('The endpoint, with any userinfo, query and fragment removed'),
    attempt: z.number().int().min(1),
    at: z.string().describe('ISO time of the attempt'),
    outcome: z.enum(['delivered', 'failed', 'gave_up', 'refused']),
    httpStatus: z.number().int().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'WebhookAttempt' });
