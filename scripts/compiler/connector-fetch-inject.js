// Injected by scripts/compiler/bundle-methods.ts into every connector JavaScript method: the
// free `fetch` of connector code becomes src/connector-sdk/connector-fetch.ts (S20).
export { connectorFetch as fetch } from 'latchkey:connector-fetch'
