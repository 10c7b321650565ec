using System;

namespace Digits
{
    /// <summary>A one-line progress bar, redrawn in place with a carriage return; silent when the output is
    /// redirected to a file or a pipe, so logs hold only the per-epoch lines.</summary>
    public static class ProgressBar
    {
        private const int Width = 40;

        public static void Draw(int epoch, int epochs, int done, int total)
        {
            if (Console.IsOutputRedirected)
            {
                return;
            }

            int filled = done * Width / total;
            Console.Write($"\repoch {epoch,2}/{epochs}  [{new string('#', filled)}{new string('.', Width - filled)}] {done,3}/{total} mini-batches");
        }

        public static void Clear()
        {
            if (!Console.IsOutputRedirected)
            {
                Console.Write("\r" + new string(' ', Width + 40) + "\r");
            }
        }
    }
}
