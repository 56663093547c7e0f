import { describeMoves } from './describe-moves';

describeMoves('catalog', 'kubectl');
