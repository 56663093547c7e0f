import { describeMoves } from './describe-moves';

describeMoves('nginx-sticky', 'kubectl');
