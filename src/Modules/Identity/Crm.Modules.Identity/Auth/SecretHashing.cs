using System.Security.Cryptography;
using System.Text;

namespace Crm.Modules.Identity.Auth;

/// <summary>High-entropy secrets (refresh tokens, API keys): random generation and SHA-256 for storage.</summary>
internal static class SecretHashing
{
    public static string NewSecret(int bytes = 32) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(expectedHash));
}
