export { programWithExtraUnits } from '../../scripts/scale/synthetic-program';
