import { describeMoves } from './describe-moves';

describeMoves('nginx', 'kubectl');
