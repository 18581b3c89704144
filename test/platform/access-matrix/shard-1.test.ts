import { accessMatrix } from './matrix';

accessMatrix(1);
