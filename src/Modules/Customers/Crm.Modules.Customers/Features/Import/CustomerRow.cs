using Crm.Modules.Customers.Contracts;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Integration.Contracts;
using Crm.SharedKernel.Data;
using S = Crm.Modules.Customers.Features.Import.CustomerImportSchema;

namespace Crm.Modules.Customers.Features.Import;

/// <summary>
/// One customer row of an import, its cells typed. <see cref="MergeInto"/> applies it like a merge patch: a column
/// the file has sets the field (an empty cell clears it), a column the file lacks keeps the current value.
/// </summary>
internal sealed class CustomerRow
{
    /// <summary>The starting point of a new customer: the create endpoint's defaults.</summary>
    public static readonly CustomerDetails Empty = new(
        string.Empty, null, null, null, null, null, null, null, null, null, [], [], null, [], null,
        Domain.RelationshipType.Basic, Domain.LifecycleStage.Potential, false, false, null, null, 0m);

    private CustomerRow(ImportValues values) => Values = values;

    public ImportValues Values { get; }

    public CustomerKind? Kind { get; private init; }

    public string? OwnerEmail { get; private init; }

    /// <summary>The normalized value of the matchOn column (the first phone or email for those keys).</summary>
    public string? MatchKey { get; private init; }

    public Domain.RelationshipType? RelationshipType { get; private init; }

    public Domain.LifecycleStage? LifecycleStage { get; private init; }

    public bool? IsKeyAccount { get; private init; }

    public bool? IsPotentialKeyAccount { get; private init; }

    public decimal? CreditLimit { get; private init; }

    /// <summary>Read-only: only checked against the current balance (an exported file re-imported), never applied.</summary>
    public decimal? OutstandingBalance { get; private init; }

    /// <summary>The customer this row created or updated.</summary>
    public Customer? Built { get; set; }

    /// <summary>For an update: whether any field changed.</summary>
    public bool Changed { get; set; }

    /// <summary>For an update: the lifecycle stage before it, to record a change in the stage history.</summary>
    public Domain.LifecycleStage? PreviousStage { get; set; }

    /// <summary>The row says to create it even though it looks like an existing customer (<c>confirmDuplicate</c>).</summary>
    public bool ConfirmDuplicate { get; private init; }

    /// <summary>The typed row, or null (with errors recorded) when a cell cannot be read.</summary>
    public static CustomerRow? Parse(ImportRow row, string matchOn, List<ImportRowError> errors)
    {
        var values = new ImportValues(row, errors);
        var parsed = new CustomerRow(values)
        {
            Kind = values.Enum(S.Kind, S.KindNames),
            OwnerEmail = values.Text(S.OwnerEmail)?.Trim() is { Length: > 0 } owner ? owner : null,
            MatchKey = MatchKeyOf(values, matchOn),
            RelationshipType = values.Enum(S.RelationshipType, S.RelationshipNames),
            LifecycleStage = values.Enum(S.LifecycleStage, S.StageNames),
            IsKeyAccount = values.Bool(S.IsKeyAccount),
            IsPotentialKeyAccount = values.Bool(S.IsPotentialKeyAccount),
            CreditLimit = values.Decimal(S.CreditLimit),
            OutstandingBalance = values.Decimal(S.OutstandingBalance),
            ConfirmDuplicate = values.Bool(S.ConfirmDuplicate) ?? false,
        };
        return values.Failed ? null : parsed;
    }

    public CustomerDetails MergeInto(CustomerDetails current)
    {
        var row = Values.Row;
        return new CustomerDetails(
            Text(S.Name, current.Name) ?? string.Empty,
            Text(S.ShortName, current.ShortName),
            Text(S.ExternalId, current.ExternalId),
            Text(S.RegistrationNumber, current.RegistrationNumber),
            Text(S.Industry, current.Industry),
            Text(S.SourceChannel, current.SourceChannel),
            Text(S.Province, current.Province),
            Text(S.City, current.City),
            Text(S.District, current.District),
            Text(S.Address, current.Address),
            row.Has(S.Phones) ? Values.List(S.Phones) : current.Phones,
            row.Has(S.Emails) ? Values.List(S.Emails) : current.Emails,
            Text(S.Website, current.Website),
            row.Has(S.Tags) ? Values.List(S.Tags) : current.Tags,
            Text(S.Tier, current.Tier),
            RelationshipType ?? current.RelationshipType,
            LifecycleStage ?? current.LifecycleStage,
            IsKeyAccount ?? current.IsKeyAccount,
            IsPotentialKeyAccount ?? current.IsPotentialKeyAccount,
            row.Has(S.CreditLimit) ? CreditLimit : current.CreditLimit,
            Text(S.CreditRating, current.CreditRating),
            current.OutstandingBalance);
    }

    private string? Text(string field, string? current) => Values.Row.Has(field) ? Values.Text(field) : current;

    private static string? MatchKeyOf(ImportValues values, string matchOn)
    {
        var key = matchOn switch
        {
            S.Emails => values.List(S.Emails).Select(CustomerSearch.NormalizeEmail).FirstOrDefault(),
            S.Phones => values.List(S.Phones).Select(CustomerMatchKeys.PhoneKey).FirstOrDefault(p => !string.IsNullOrEmpty(p)),
            S.RegistrationNumber => values.Text(matchOn) is { } number ? CustomerIdentifiers.Normalize(number) : null,
            S.Code => values.Text(matchOn)?.Trim().ToUpperInvariant(),
            _ => values.Text(matchOn)?.Trim(),
        };
        return string.IsNullOrEmpty(key) ? null : key;
    }
}
