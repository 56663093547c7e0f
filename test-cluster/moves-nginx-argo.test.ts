import { describeMoves } from './describe-moves';

describeMoves('nginx', 'argo');
