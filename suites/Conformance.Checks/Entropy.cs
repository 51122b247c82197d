namespace Conformance.Checks;

/// <summary>How many bits a random-looking value can hold at most, judged from its length and its characters.</summary>
internal static class Entropy
{
    /// <summary>
    /// Length (without <paramref name="separators"/> and base64 padding) times log2 of the smallest usual alphabet
    /// the value fits in: digits (10), hex (16), one-case letters and digits (36), base64url (64). An upper bound:
    /// a server may use fewer symbols than the alphabet, never more bits than this.
    /// </summary>
    public static double EstimatedBits(string value, string separators = "")
    {
        var symbols = value.TrimEnd('=').Where(ch => !separators.Contains(ch)).ToList();
        double alphabet = symbols.All(char.IsAsciiDigit) ? 10
            : symbols.All(Uri.IsHexDigit) ? 16
            : symbols.All(ch => char.IsAsciiDigit(ch) || char.IsAsciiLetterUpper(ch)) || symbols.All(ch => char.IsAsciiDigit(ch) || char.IsAsciiLetterLower(ch)) ? 36
            : 64;
        return symbols.Count * Math.Log2(alphabet);
    }
}
