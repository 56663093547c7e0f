import { describeMoves } from './describe-moves';

describeMoves('greeter', 'argo');
