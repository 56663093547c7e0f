import { describeMoves } from './describe-moves';

describeMoves('nginx-baselined', 'kubectl');
