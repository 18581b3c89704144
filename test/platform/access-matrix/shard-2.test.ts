import { accessMatrix } from './matrix';

accessMatrix(2);
