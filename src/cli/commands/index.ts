/** The command registry: every command the CLI knows, in --help order. */
import type { Command } from '../command.js';
import { keygen } from './keygen.js';
import { seal } from './seal.js';
import { verify } from './verify.js';
import { prove } from './prove.js';
import { verifyRecord } from './verify-record.js';

export const COMMANDS: readonly Command[] = [keygen, seal, verify, prove, verifyRecord];
