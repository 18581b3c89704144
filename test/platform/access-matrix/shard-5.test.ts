import { accessMatrix } from './matrix';

accessMatrix(5);
