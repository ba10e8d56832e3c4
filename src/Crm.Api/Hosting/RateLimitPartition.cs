using System.Net;
using System.Net.Sockets;
using Crm.SharedKernel.Security;

namespace Crm.Api.Hosting;

/// <summary>The budget a request draws on: its partition key and the policy that applies to it.</summary>
internal readonly record struct RateLimitPartition(string Key, RateLimitPolicy Policy)
{
    public static RateLimitPartition For(ICurrentActor actor, IPAddress? remoteAddress, RateLimitingOptions options)
    {
        // Without an id the caller is not identifiable (ICurrentActor.Key is then plain "anonymous"), so it
        // must not share one budget with every other such caller: it is counted by address instead.
        if (actor.Id is null)
        {
            return new(AnonymousKey(remoteAddress), options.Anonymous);
        }

        var policy = actor.Kind == HttpCurrentActor.ApiKeyKind ? options.ApiKeys : options.Users;
        return new(actor.Key, policy);
    }

    /// <summary>
    /// <c>anonymous:{ip}</c>. An IPv6 client usually owns a whole /64 and can pick a fresh address per
    /// request, so IPv6 is counted per /64; IPv4-mapped IPv6 (dual-stack sockets) is read as the IPv4
    /// address. Without an address (in-process test servers) all such callers share <c>anonymous</c>.
    /// </summary>
    public static string AnonymousKey(IPAddress? address)
    {
        if (address is null)
        {
            return HttpCurrentActor.AnonymousKind;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return $"{HttpCurrentActor.AnonymousKind}:{address}";
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return $"{HttpCurrentActor.AnonymousKind}:{new IPAddress(bytes)}/64";
    }
}
