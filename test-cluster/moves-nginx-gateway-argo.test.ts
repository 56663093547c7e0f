import { describeMoves } from './describe-moves';

describeMoves('nginx-gateway', 'argo');
