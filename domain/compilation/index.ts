// Pure (zod, luxon): safe for workflow code. Documents are rendered from the model in documents/.
export * from './aggregate';
export * from './compile';
export * from './compliance';
export * from './exact';
export * from './input';
export * from './issuing';
export * from './labels';
export * from './lifecycle';
export * from './model';
export * from './obligation';
export * from './review-periods';
