import { describeMoves } from './describe-moves';

describeMoves('nginx-gateway', 'kubectl');
