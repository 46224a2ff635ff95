/**
 * Every provider emulator of the compat suite: one import and one entry per provider. The
 * outbound router (test/compat/outbound.ts) creates them and routes each claimed host to its
 * emulator; their connector bindings are added to the compat project (vitest.config.ts).
 */
import { airtable } from './airtable.ts'
import { asana } from './asana.ts'
import { box } from './box.ts'
import { calendly } from './calendly.ts'
import type { ProviderEmulatorFactory } from './emulator.ts'
import { intercom } from './intercom.ts'
import { linkedin } from './linkedin.ts'
import { strava } from './strava.ts'
import { zoom } from './zoom.ts'
import { atlassian } from './atlassian.ts'
import { dropbox } from './dropbox.ts'
import { hubspot } from './hubspot.ts'
import { microsoft } from './microsoft.ts'
import { shopify } from './shopify.ts'
import { slack } from './slack.ts'
import { xero } from './xero.ts'
import { jira } from './jira.ts'
import { paypal } from './paypal.ts'
import { pipedrive } from './pipedrive.ts'
import { stripe } from './stripe.ts'
import { trello } from './trello.ts'
import { twilio } from './twilio.ts'

/** The emulators the compat project runs, in no particular order (hosts must not overlap). */
export const PROVIDER_EMULATORS: readonly ProviderEmulatorFactory[] = [
  slack,
  microsoft,
  atlassian,
  shopify,
  xero,
  dropbox,
  hubspot,
  intercom,
  airtable,
  box,
  linkedin,
  zoom,
  calendly,
  asana,
  strava,
  stripe,
  twilio,
  jira,
  trello,
  paypal,
  pipedrive,
]
