/** Report forms in the database: form data of submission versions, and drafts per unit and round. */
export * from './form-drafts';
export * from './get-submission-form-data';
export * from './list-round-form-data';
