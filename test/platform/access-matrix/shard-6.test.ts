import { accessMatrix } from './matrix';

accessMatrix(6);
