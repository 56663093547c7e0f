import { describeMoves } from './describe-moves';

describeMoves('checkout', 'kubectl');
