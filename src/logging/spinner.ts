import type { Ora } from 'ora';

// The terminal spinner (ora), loaded only when stderr is a terminal: `flow --help`
// and runs in pipes never import it. Ora hooks stdout and stderr while it
// spins, clearing its line before anything else is written, so log lines and
// task prints are never torn by it.
export interface Spinner {
  setText(text: string): void;
  stop(): void;
}

export const startSpinner = async (stream: NodeJS.WriteStream, text: string): Promise<Spinner> => {
  const { default: ora } = await import('ora');
  const spinner: Ora = ora({ stream, text, discardStdin: false, hideCursor: false, isEnabled: true }).start();
  return {
    setText: (next) => {
      if (spinner.text !== next) {
        spinner.text = next;
      }
    },
    stop: () => {
      spinner.stop();
    },
  };
};
