// makemore.py's Bigram (kinds/bigram.ts) against tools/family_reference.py --type bigram.
import { familyContractTests } from './helpers/family.js';

familyContractTests('bigram', 'bigram');
