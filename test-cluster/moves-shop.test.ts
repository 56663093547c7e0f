import { describeMoves } from './describe-moves';

describeMoves('shop', 'kubectl');
