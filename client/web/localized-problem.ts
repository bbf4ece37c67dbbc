import { AppError } from '../../app/errors';

/** An AppError whose message is already in the user's language (a form read at the edge): shown as it is. */
export class LocalizedProblem extends AppError {}
