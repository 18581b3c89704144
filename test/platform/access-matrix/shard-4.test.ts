import { accessMatrix } from './matrix';

accessMatrix(4);
