using System.Text.Json;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.SharedKernel.Http;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Contacts;

/// <summary>The module's answer to <see cref="IContactConsent"/>: two indexed reads, the contact and the channel's latest change.</summary>
internal sealed class ContactConsentService(CustomersDbContext db) : IContactConsent
{
    public async Task<ContactReachability> CheckAsync(Guid contactId, string channel, DateTimeOffset at, CancellationToken ct)
    {
        var parsed = Enum.GetValues<ContactChannel>().Where(c => string.Equals(c.ToString(), channel?.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (parsed.Count == 0)
        {
            throw new ArgumentException($"'{channel}' is not one of: {string.Join(", ", QueryEnum.Names<ContactChannel>())}.", nameof(channel));
        }

        var contact = await db.Contacts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == contactId, ct);
        var consent = await db.ContactConsentChanges.AsNoTracking()
            .Where(c => c.ContactId == contactId && c.Channel == parsed[0])
            .OrderByDescending(c => c.Id)
            .Select(c => (ConsentState?)c.State)
            .FirstOrDefaultAsync(ct) ?? ConsentState.Unknown;
        var consentName = JsonNamingPolicy.CamelCase.ConvertName(consent.ToString());
        if (contact is null)
        {
            return new ContactReachability(false, consentName, false, "notFound");
        }

        var inside = contact.IsInsideWindow(at);
        var reason = contact.IsArchived ? "archived"
            : consent == ConsentState.OptedOut ? "optedOut"
            : !inside ? "outsideWindow"
            : null;
        return new ContactReachability(reason is null, consentName, inside, reason);
    }
}
