using System.Linq.Expressions;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Audit;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Crm.Modules.Customers.Features.Privacy;

/// <summary>Erase (anonymise) a person's personal data. Ids, codes, ownership, counts and amounts stay.</summary>
/// <param name="Reason">Why: a ticket number or "data subject request of 2026-11-20" (required, at most 500 characters). Do not repeat the person's data here: it is kept.</param>
internal sealed record ErasePersonalDataRequest(string Reason) : IRequest<PersonalDataErasureResponse>
{
    [JsonIgnore]
    public ErasureSubject Type { get; init; }

    [JsonIgnore]
    public Guid Id { get; init; }
}

internal sealed class ErasePersonalDataValidator : AbstractValidator<ErasePersonalDataRequest>
{
    public ErasePersonalDataValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(PersonalDataErasure.MaxReasonLength);
}

/// <summary>What an erasure did; the same document on every repeat of the erase.</summary>
/// <param name="Id">The erasure's id (its audit entries have entityType personalDataErasure).</param>
/// <param name="SubjectType">customer or contact.</param>
/// <param name="SubjectId">The erased customer or contact.</param>
/// <param name="CustomerId">The customer: the subject itself, or the contact's customer.</param>
/// <param name="ContactIds">Every contact whose personal fields were erased.</param>
/// <param name="Reason">Why it was erased.</param>
/// <param name="ActorId">Who erased it.</param>
/// <param name="ErasedAt">When.</param>
/// <param name="FollowUpsScrubbed">Follow-ups whose text was erased, or had the person's name, phones and emails removed.</param>
/// <param name="AuditEntriesScrubbed">Audit entries whose personal values were replaced by "***".</param>
internal sealed record PersonalDataErasureResponse(
    Guid Id,
    ErasureSubject SubjectType,
    Guid SubjectId,
    Guid CustomerId,
    IReadOnlyList<Guid> ContactIds,
    string Reason,
    Guid? ActorId,
    DateTimeOffset ErasedAt,
    int FollowUpsScrubbed,
    int AuditEntriesScrubbed)
{
    public static readonly Expression<Func<PersonalDataErasure, PersonalDataErasureResponse>> Projection = e => new PersonalDataErasureResponse(
        e.Id, e.SubjectType, e.SubjectId, e.CustomerId, e.ContactIds, e.Reason, e.ActorId, e.ErasedAt, e.FollowUpsScrubbed, e.AuditEntriesScrubbed);

    private static readonly Func<PersonalDataErasure, PersonalDataErasureResponse> Compiled = Projection.Compile();

    public static PersonalDataErasureResponse From(PersonalDataErasure erasure) => Compiled(erasure);
}

internal sealed class ErasePersonalDataHandler(CustomersDbContext db, IAccessScopeProvider access, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ErasePersonalDataRequest, PersonalDataErasureResponse>
{
    /// <summary>What replaces the text of a follow-up about the person, or their name, phone or email inside another one.</summary>
    public const string ErasedText = "[已删除]";

    /// <summary>The customer fields that hold personal data of an individual (see docs/adr/0014-personal-data-erasure.md).</summary>
    public static readonly string[] CustomerFields =
    [
        nameof(Customer.Name), nameof(Customer.ShortName), nameof(Customer.RegistrationNumber), nameof(Customer.District),
        nameof(Customer.Address), nameof(Customer.Phones), nameof(Customer.Emails), nameof(Customer.Website), nameof(Customer.CustomFields),
    ];

    /// <summary>The contact fields that hold personal data.</summary>
    public static readonly string[] ContactFields =
    [
        nameof(Contact.Name), nameof(Contact.Title), nameof(Contact.Phones), nameof(Contact.Emails), nameof(Contact.WeChatId), nameof(Contact.Birthday),
        nameof(Contact.CustomFields),
    ];

    public async Task<PersonalDataErasureResponse> Handle(ErasePersonalDataRequest request, CancellationToken cancellationToken)
    {
        Customer customer;
        List<Contact> contacts;
        if (request.Type == ErasureSubject.Customer)
        {
            customer = await CustomerAccess.FindVisibleAsync(db.Customers, access, request.Id, cancellationToken, includePool: true);
            PrivacyProblems.EnsurePerson(customer);
            contacts = await db.Contacts.Where(c => c.CustomerId == customer.Id).ToListAsync(cancellationToken);
        }
        else
        {
            var contact = await ContactAccess.FindVisibleAsync(db, db.Contacts, access, request.Id, cancellationToken);
            customer = await db.Customers.SingleAsync(c => c.Id == contact.CustomerId, cancellationToken);
            contacts = [contact];
        }

        if (await FindAsync(request, cancellationToken) is { } done)
        {
            return done;
        }

        try
        {
            return await EraseAsync(request, customer, contacts, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent erase of the same person committed first (the rows' xmin moved, or the unique subject index):
            // its result is this one's. Any other concurrent change is left to the usual concurrency answer.
            db.ChangeTracker.Clear();
            if (await FindAsync(request, cancellationToken) is { } winner)
            {
                return winner;
            }

            throw;
        }
    }

    private Task<PersonalDataErasureResponse?> FindAsync(ErasePersonalDataRequest request, CancellationToken ct) =>
        db.PersonalDataErasures.AsNoTracking()
            .Where(e => e.SubjectType == request.Type && e.SubjectId == request.Id)
            .Select(PersonalDataErasureResponse.Projection)
            .SingleOrDefaultAsync(ct);

    private async Task<PersonalDataErasureResponse> EraseAsync(ErasePersonalDataRequest request, Customer customer, List<Contact> contacts, CancellationToken ct)
    {
        var now = time.UtcNow();
        var contactIds = contacts.Select(c => c.Id).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        int followUps;
        if (request.Type == ErasureSubject.Customer)
        {
            followUps = await db.FollowUps.Where(f => f.CustomerId == customer.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.Content, ErasedText), ct);
            await ScrubCustomerTimelineAsync(customer.Id, ct);
        }
        else
        {
            var terms = ContactTerms.Of(contacts[0]);
            followUps = await ScrubFollowUpsAboutAsync(terms, ct);
            await ScrubContactTimelineAsync(terms, ct);
            await ScrubContactOutboxAsync(terms, ct);
        }

        if (request.Type == ErasureSubject.Customer)
        {
            customer.Update(Anonymised(customer), now);
            customer.Archive(now);
        }

        foreach (var contact in contacts)
        {
            contact.Update(Anonymised(contact), now);
            contact.Archive(now);
        }

        // Saves the anonymised rows; the audit interceptor records the change with the old values, which the
        // redaction below removes again together with every earlier entry of these records.
        await db.SaveChangesAsync(ct);
        var auditEntries = request.Type == ErasureSubject.Customer
            ? await db.RedactAuditValuesAsync<Customer>([customer.Id], CustomerFields, ct)
            : 0;
        auditEntries += await db.RedactAuditValuesAsync<Contact>(contactIds, ContactFields, ct);
        if (request.Type == ErasureSubject.Customer)
        {
            await ScrubOutboxAsync(customer, ct);
        }

        var erasure = PersonalDataErasure.Create(
            request.Type, request.Id, customer.Id, customer.OwnerId, request.Reason, actor.Id, now, contactIds, followUps, auditEntries);
        db.PersonalDataErasures.Add(erasure);
        db.AddIntegrationEvent(new PersonalDataErased(now)
        {
            SubjectType = request.Type == ErasureSubject.Customer ? "customer" : "contact",
            SubjectId = request.Id,
            CustomerId = customer.Id,
            ContactIds = contactIds,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return PersonalDataErasureResponse.From(erasure);
    }

    private static CustomerDetails Anonymised(Customer customer) => customer.Details() with
    {
        Name = $"已删除客户 {customer.Code}",
        ShortName = null,
        RegistrationNumber = null,
        District = null,
        Address = null,
        Phones = [],
        Emails = [],
        Website = null,
        CustomFields = CustomFieldSchema.EmptyObject,
    };

    private static ContactDetails Anonymised(Contact contact) => contact.Details() with
    {
        Name = $"已删除联系人 {contact.Id.ToString("N")[..8]}",
        Title = null,
        Phones = [],
        Emails = [],
        WeChatId = null,
        Birthday = null,
        CustomFields = CustomFieldSchema.EmptyObject,
    };

    /// <summary>
    /// The contact's own follow-ups lose their text; the customer's other follow-ups that name the contact, or hold
    /// one of their phones or emails as stored, have those replaced. One statement each.
    /// </summary>
    private async Task<int> ScrubFollowUpsAboutAsync(ContactTerms contact, CancellationToken ct)
    {
        var own = await db.FollowUps.Where(f => f.ContactId == contact.ContactId).ExecuteUpdateAsync(s => s.SetProperty(f => f.Content, ErasedText), ct);
        if (contact.Pattern is not { } pattern)
        {
            return own;
        }

        var customerId = contact.CustomerId;
        var contactId = contact.ContactId;
        var mentions = await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE customers.follow_ups
            SET content = regexp_replace(content, {pattern}, {ErasedText}, 'g')
            WHERE customer_id = {customerId} AND contact_id IS DISTINCT FROM {contactId} AND content ~ {pattern}
            """,
            ct);
        return own + mentions;
    }

    /// <summary>
    /// The timeline (a read model of events that quote names and follow-up texts) and the reasons typed for the
    /// customer's status changes: every entry keeps its kind and time and loses its words.
    /// </summary>
    private async Task ScrubCustomerTimelineAsync(Guid customerId, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync(
            $"UPDATE customers.timeline_entries SET summary = {ErasedText}, data = '{{}}'::jsonb WHERE customer_id = {customerId}", ct);
        await db.CustomerHistory.Where(h => h.CustomerId == customerId && h.Reason != null)
            .ExecuteUpdateAsync(s => s.SetProperty(h => h.Reason, ErasedText), ct);
    }

    /// <summary>
    /// Timeline entries of the contact's own follow-ups lose their words; the customer's other entries that quote the
    /// contact's name, phones or emails have those replaced, as in <see cref="ScrubFollowUpsAboutAsync"/>.
    /// </summary>
    private async Task ScrubContactTimelineAsync(ContactTerms contact, CancellationToken ct)
    {
        var contactId = contact.ContactId.ToString();
        await db.Database.ExecuteSqlAsync(
            $"UPDATE customers.timeline_entries SET summary = {ErasedText}, data = '{{}}'::jsonb WHERE customer_id = {contact.CustomerId} AND data ->> 'contactId' = {contactId}",
            ct);
        if (contact.Pattern is not { } pattern)
        {
            return;
        }

        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE customers.timeline_entries
            SET summary = regexp_replace(summary, {pattern}, {ErasedText}, 'g'),
                data = regexp_replace(data::text, {pattern}, {ErasedText}, 'g')::jsonb
            WHERE customer_id = {contact.CustomerId} AND (summary ~ {pattern} OR data::text ~ {pattern})
            """,
            ct);
    }

    /// <summary>What identifies a contact inside free text: its name (when long enough to be specific), phones and emails.</summary>
    private sealed record ContactTerms(Guid ContactId, Guid CustomerId, string? Pattern)
    {
        public static ContactTerms Of(Contact contact)
        {
            var terms = contact.Phones.Concat(contact.Emails)
                .Append(contact.Name.Length >= PersonalDataScope.MinNameLengthInText ? contact.Name : string.Empty)
                .Where(t => t.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(t => t.Length)
                .ToList();

            // Longest first, so a name inside an email address does not leave half the address behind.
            return new(contact.Id, contact.CustomerId, terms.Count == 0 ? null : string.Join('|', terms.Select(Regex.Escape)));
        }
    }

    /// <summary>
    /// Events already written keep a copy of the name (<c>CustomerCreated</c>) and of follow-up texts (<c>FollowUpLogged</c>);
    /// the copies in the outbox are replaced by the placeholder. Consumers that stored their own copy scrub it on <see cref="PersonalDataErased"/>.
    /// </summary>
    private async Task ScrubOutboxAsync(Customer customer, CancellationToken ct)
    {
        var id = customer.Id.ToString();
        var name = customer.Name;
        await db.Database.ExecuteSqlAsync(
            $$"""
            UPDATE customers.outbox_messages
            SET payload = jsonb_set(payload, '{name}', to_jsonb({{name}}::text))
            WHERE payload ? 'customerId' AND (payload ->> 'customerId') = {{id}} AND payload ? 'name'
            """,
            ct);
        await db.Database.ExecuteSqlAsync(
            $$"""
            UPDATE customers.outbox_messages
            SET payload = jsonb_set(payload, '{content}', to_jsonb({{ErasedText}}::text))
            WHERE payload ? 'customerId' AND (payload ->> 'customerId') = {{id}} AND payload ? 'content'
            """,
            ct);
    }

    /// <summary>
    /// Undelivered events about the contact's own follow-ups lose their text; other events of the customer that quote
    /// the contact's name, phones or emails have those replaced.
    /// </summary>
    private async Task ScrubContactOutboxAsync(ContactTerms contact, CancellationToken ct)
    {
        string customerId = contact.CustomerId.ToString(), contactId = contact.ContactId.ToString();
        await db.Database.ExecuteSqlAsync(
            $$"""
            UPDATE customers.outbox_messages
            SET payload = jsonb_set(payload, '{content}', to_jsonb({{ErasedText}}::text))
            WHERE payload ? 'customerId' AND (payload ->> 'customerId') = {{customerId}} AND (payload ->> 'contactId') = {{contactId}} AND payload ? 'content'
            """,
            ct);
        if (contact.Pattern is not { } pattern)
        {
            return;
        }

        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE customers.outbox_messages
            SET payload = regexp_replace(payload::text, {pattern}, {ErasedText}, 'g')::jsonb
            WHERE payload ? 'customerId' AND (payload ->> 'customerId') = {customerId} AND payload::text ~ {pattern}
            """,
            ct);
    }
}
