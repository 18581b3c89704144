import { accessMatrix } from './matrix';

accessMatrix(7);
