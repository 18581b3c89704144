import { accessMatrix } from './matrix';

accessMatrix(3);
