// Errors a user can act on: the CLI prints their message as one line (no stack) and exits 1.
export class MakemoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MakemoreError';
  }
}
