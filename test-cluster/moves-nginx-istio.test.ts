import { describeMoves } from './describe-moves';

describeMoves('nginx-istio', 'kubectl');
