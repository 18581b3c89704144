import { accessMatrix } from './matrix';

accessMatrix(8);
