namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// Whether a contact may be reached on a channel at an instant: marketing list generation and call scheduling
/// ask this before every mailing or call, so an opted-out contact is never mailed and nobody is called outside
/// the hours they asked for. It ignores record visibility: it answers for the system, not for a user.
/// </summary>
public interface IContactConsent
{
    /// <summary>Checks one contact on one channel.</summary>
    /// <param name="contactId">The contact.</param>
    /// <param name="channel">phone, email, sms, wechat, visit or mail (case-insensitive); anything else throws <see cref="ArgumentException"/>.</param>
    /// <param name="at">The instant of the planned contact.</param>
    /// <param name="ct">Cancellation.</param>
    Task<ContactReachability> CheckAsync(Guid contactId, string channel, DateTimeOffset at, CancellationToken ct);
}

/// <summary>The answer of <see cref="IContactConsent.CheckAsync"/>.</summary>
/// <param name="Reachable">True only when the contact exists, is not archived, has not opted out of the channel and <c>at</c> is inside the preferred window (when one is set).</param>
/// <param name="Consent">The channel's consent: <c>granted</c>, <c>optedOut</c> or <c>unknown</c>.</param>
/// <param name="InsideWindow">Whether <c>at</c> is inside the preferred contact window; true when there is none.</param>
/// <param name="Reason">Why not reachable: <c>notFound</c>, <c>archived</c>, <c>optedOut</c> or <c>outsideWindow</c>; null when reachable.</param>
public sealed record ContactReachability(bool Reachable, string Consent, bool InsideWindow, string? Reason);
