/**
 * The formula (mapping) language of connector specs: compiled once at build time,
 * interpreted at run time without eval.
 */
// Placeholder until the formula engine lands: see the issue 2 brief.
export type MappingNode = unknown
