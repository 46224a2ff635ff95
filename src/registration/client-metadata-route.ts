/**
 * GET /oauth/client-metadata.json: Latchkey's client ID metadata document
 * (client-metadata-document.ts), fetched by authorization servers that accept it as a client.
 * Mount with `app.route('/', clientMetadataRoutes)` after the security-headers middleware; a
 * deployment without a document (PUBLIC_BASE_URL is http) answers the ordinary 404.
 *
 * The document is public and changes only with APP_NAME or PUBLIC_BASE_URL, and authorization
 * servers cache it as HTTP caching allows (MCP "Client ID Metadata Documents"): the route asks for
 * an hour of caching through the `publicCacheControl` variable, which the security-headers
 * middleware sends instead of its `no-store` once it reads it.
 */
import { Hono } from 'hono'
import type { HttpEnv } from '../http/http-env.ts'
import { CLIENT_METADATA_PATH, clientMetadataDocument } from './client-metadata-document.ts'

/** The Cache-Control of the document: any cache may keep it an hour. */
export const CLIENT_METADATA_CACHE_CONTROL = 'public, max-age=3600'

/** The route of the document. */
export const clientMetadataRoutes = new Hono<HttpEnv>()

clientMetadataRoutes.get(CLIENT_METADATA_PATH, (c) => {
  const document = clientMetadataDocument(c.env)
  if (document === null) return c.notFound()
  c.set('publicCacheControl', CLIENT_METADATA_CACHE_CONTROL)
  return c.json(document)
})
