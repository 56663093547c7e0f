import { describeMoves } from './describe-moves';

describeMoves('greeter', 'kubectl');
