// Pure and deterministic (no clock, no fs, explicit zones): safe to import from Temporal workflow code.
export * from './local-date';
export * from './lunar';
export * from './policy';
export * from './holidays';
export * from './working-days';
export * from './round-schedule';
export * from './notices';
export * from './schedule';
export * from './holiday-schedule';
