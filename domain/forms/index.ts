// Pure and deterministic (zod only): safe for workflow code and Update validators. Spreadsheet templates
// of a form live in documents/form-template, outside this barrel, because they need exceljs.
export * from './applicability';
export * from './form-data';
export * from './submission';
export * from './values';
