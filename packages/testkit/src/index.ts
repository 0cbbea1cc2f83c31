export { freePort, type MotoServer, motoBinary, startMoto } from './moto.ts';
