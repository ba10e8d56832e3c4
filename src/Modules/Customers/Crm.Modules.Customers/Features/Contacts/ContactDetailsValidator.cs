using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.SharedKernel.Errors;
using FluentValidation;

namespace Crm.Modules.Customers.Features.Contacts;

/// <summary>The rules of a contact's editable fields, checked on the complete new state (a create's body or a merged patch).</summary>
internal sealed class ContactDetailsValidator : AbstractValidator<ContactDetails>
{
    public const int MaxPhones = 10;
    public const int MaxEmails = 10;

    public ContactDetailsValidator(TimeProvider time)
    {
        RuleFor(d => d.Name).NotEmpty().MaximumLength(100).OverridePropertyName("name");
        RuleFor(d => d.Title).MaximumLength(100).OverridePropertyName("title");
        RuleFor(d => d.WeChatId).MaximumLength(50).OverridePropertyName("weChatId");
        RuleFor(d => d.Phones).Must(p => p.Count <= MaxPhones).WithMessage($"At most {MaxPhones} phones.").OverridePropertyName("phones");
        RuleForEach(d => d.Phones).Must(CustomerDetailsValidator.BeAPhone)
            .WithMessage("'{PropertyValue}' is not a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and parentheses.")
            .OverridePropertyName("phones");
        RuleFor(d => d.Emails).Must(e => e.Count <= MaxEmails).WithMessage($"At most {MaxEmails} emails.").OverridePropertyName("emails");
        RuleForEach(d => d.Emails).NotEmpty().MaximumLength(254).EmailAddress().OverridePropertyName("emails");
        RuleFor(d => d.Birthday)
            .Must(b => b is null || (b.Value.Year >= 1900 && b.Value <= DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)))
            .WithMessage("birthday must be a date between 1900-01-01 and today.")
            .OverridePropertyName("birthday");
        When(d => d.Window is not null, () =>
        {
            RuleFor(d => d.Window!.Days).Must(days => days is { Count: > 0 } && days.All(Enum.IsDefined))
                .WithMessage("contactWindow.days needs at least one day of the week (monday ... sunday).")
                .OverridePropertyName("contactWindow.days");
            RuleFor(d => d.Window!).Must(w => w.From != w.To)
                .WithMessage("contactWindow.to must differ from from (a window earlier than from runs past midnight).")
                .OverridePropertyName("contactWindow.to");
            RuleFor(d => d.Window!.TimeZone).Must(BeATimeZone)
                .WithMessage("contactWindow.timeZone must be an IANA time zone such as Asia/Shanghai.")
                .OverridePropertyName("contactWindow.timeZone");
        });
    }

    /// <summary>Validates and throws the 400 the validation behavior would.</summary>
    public async Task EnsureValidAsync(ContactDetails details, CancellationToken ct)
    {
        var result = await ValidateAsync(details, ct);
        if (!result.IsValid)
        {
            throw ValidationFailedException.From(result.Errors.Select(e => (e.PropertyName, e.ErrorMessage)));
        }
    }

    // IANA ids only: Windows ids would also resolve on some hosts, and then the stored zone would not be portable.
    private static bool BeATimeZone(string? zone) =>
        !string.IsNullOrWhiteSpace(zone) && zone.Contains('/', StringComparison.Ordinal)
        && TimeZoneInfo.TryFindSystemTimeZoneById(zone.Trim(), out var found) && found.HasIanaId;
}
