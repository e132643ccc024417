"""`mfbridge train` and `mfbridge score`: a LightGBM model with its card, and scoring a file in place."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from bridge.cli.common import (check_output, check_output_folder, copybook_options, load_layout, output_file,
                               reader_kwargs, reader_options, refuse_output_over_input, threads_option)
from bridge.cli.model_option import MODEL_PLACE
from bridge.cli.engine import check_output_or_url, data_argument, engine_options
from bridge.cli.progress import progress_for, quiet_option

__all__ = ["score_command", "train_command"]


@click.command("train")
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@copybook_options
@reader_options
@click.option("--label", required=True, help="Field holding the outcome (1 = the adverse class).")
@click.option("--positive", default=None, metavar="VALUE",
              help="Value of --label that marks the adverse class, when the label does not hold 0/1 (e.g. Y).")
@click.option("--features", default=None, help="Comma-separated feature fields (default: numbers and short "
              "codes, leaving out identifiers, other views of a REDEFINES, OCCURS tables, long text, constant fields, "
              "outputs, the label and FILLER; what was left out is printed with the reason).")
@click.option("--objective", type=click.Choice(["binary", "cross_entropy", "regression", "regression_l1", "huber",
                                               "fair", "quantile", "mape", "poisson", "gamma", "tweedie"]),
              default="binary", show_default=True,
              help="LightGBM objective: binary predicts the probability of the adverse class; a regression "
                   "objective predicts the label's value (written with --score-field's decimal places).")
@click.option("--categorical", default="", help="Comma-separated features to treat as categories (by default "
              "short alphanumeric codes are).")
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False),
              callback=check_output_folder,
              help="Model folder to write (model.txt, card.toml, metrics.json).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the validation split and of LightGBM: the same seed gives the same trees.")
@click.option("--rounds", type=click.IntRange(min=1), default=None, help="Boosting rounds (default 100).")
@click.option("--model-id", default=None, help="Model id written into records (default: the folder name, cut to "
              "the model-id field); refused when longer than --model-id-field.")
@click.option("--model-version", default="1", show_default=True, help="Version written into the model card.")
@click.option("--score-field", default=None, help="Numeric field (e.g. PIC 9V9999) that receives the score.")
@click.option("--band-field", default=None, help="Alphanumeric field that receives the band label (needs --bands).")
@click.option("--bands", default=None, metavar="UPPER:LABEL,...",
              help="Bands for --band-field: a score gets the first band whose upper bound it does not exceed, "
                   "e.g. 0.2:A,0.5:B,0.8:C,1.0:D.")
@click.option("--reason-field", default=None, help="OCCURS table of alphanumeric items that receives reason codes.")
@click.option("--reason-count", type=click.IntRange(min=1), default=4, show_default=True,
              help="Reason codes per record (at most the table's OCCURS).")
@click.option("--reason-when", default=None, help="Records that get reason codes, e.g. 'score>=0.5' "
              "(needs --score-field; default: every record).")
@click.option("--model-id-field", default=None, help="Alphanumeric field that receives the model id.")
@click.option("--status-field", default=None, help="PIC X(2) field that receives the scoring status (00, 02, 04, "
              "08, 12).")
@click.option("--mlflow", "to_mlflow", is_flag=True,
              help="Also log the training to MLflow: parameters, metrics and the model folder under model/ "
                   "(tracking URI: MLFLOW_TRACKING_URI, else MLflow's local default; needs mainframe-bridge[mlflow]).")
@click.option("--experiment", default=None, metavar="NAME", help="MLflow experiment of the run (created when "
              "missing; needs --mlflow).")
@click.option("--register", "register_name", default=None, metavar="NAME",
              help="Register the logged model as a new version of NAME in MLflow's registry (needs --mlflow).")
def train_command(data: str, label: str, positive: str | None, features: str | None, objective: str,
                  categorical: str, output: str, seed: int,
                  rounds: int | None, model_id: str | None, model_version: str, score_field: str | None,
                  band_field: str | None, bands: str | None, reason_field: str | None, reason_count: int,
                  reason_when: str | None, model_id_field: str | None, status_field: str | None,
                  to_mlflow: bool = False, experiment: str | None = None, register_name: str | None = None,
                  **params) -> None:
    """Train a model on DATA (laid out by COPYBOOK) to predict LABEL."""
    _check_mlflow_options(to_mlflow, experiment, register_name)
    from bridge.records.api import read_records
    from bridge.score.card import (BandOutput, ModelIdOutput, Outputs, ReasonsOutput, ScoreOutput,
                                   StatusOutput)
    from bridge.score.train import train_model

    if bands and not band_field:
        raise click.UsageError("--bands needs --band-field (the field that receives the band label)")
    if reason_when and not reason_field:
        raise click.UsageError("--reason-when needs --reason-field (the table that receives the reason codes)")
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    record = layout.record(kw.get("record"))
    df = read_records(data, layout, **kw)
    _check_columns(df, [label], "--label")
    outputs_named = {n.upper() for n in (score_field, band_field, reason_field, model_id_field, status_field) if n}
    cats = [c.strip().upper() for c in categorical.split(",") if c.strip()]
    choice = None
    if features:
        names = [f.strip().upper() for f in features.split(",") if f.strip()]
    else:
        from bridge.score.features import default_features

        choice = default_features(record, df, label=label, outputs=outputs_named)
        names = list(choice.features)
        cats = list(dict.fromkeys(choice.categorical + cats))
        for line in choice.lines():
            click.echo(f"mfbridge: {line}", err=True)
        if not names:
            raise click.UsageError("no field of the record is usable as a feature by default (see the reasons "
                                   "above); name them with --features")
    _check_columns(df, names, "--features")
    _check_columns(df, cats, "--categorical")
    for c in cats:
        if c not in names:
            names.append(c)
    if objective in ("binary", "cross_entropy"):
        _check_label(df, label.upper(), positive)
    mid = model_id.upper() if model_id else _default_model_id(output, record, model_id_field)
    outputs = Outputs(
        score=ScoreOutput(field=score_field.upper(), scale=_scale(objective)) if score_field else None,
        band=BandOutput(field=band_field.upper(), bands=_bands(bands)) if band_field else None,
        reasons=ReasonsOutput(field=reason_field.upper(), count=reason_count, when=reason_when,
                              table=_reason_table(names, record, reason_field)) if reason_field else None,
        model_id=ModelIdOutput(field=model_id_field.upper(), value=mid) if model_id_field else None,
        status=StatusOutput(field=status_field.upper()) if status_field else None,
    )
    extra = {"num_iterations": rounds} if rounds else None
    trained = train_model(df, label=label.upper(), features=names, categorical=cats, seed=seed, params=extra,
                          positive=positive, objective=objective,
                          model_id=mid, version=model_version, record=record.name,
                          copybook=Path(params["copybook"]).name, data=Path(data).name, outputs=outputs)
    trained.card.validate(record)  # a card that does not fit the copybook is refused now, not at scoring
    if choice is not None:
        trained.metrics["feature_choice"] = choice.to_dict()
    folder = trained.save(output)
    valid = trained.metrics.get("valid", {})
    measures = ", ".join(f"{name} {valid[key]:.4f}" for key, name in
                         (("auc", "validation AUC"), ("log_loss", "log loss"), ("rmse", "validation RMSE"),
                          ("mae", "mean absolute error")) if key in valid)
    click.echo(f"mfbridge: model {mid} written to {folder}: {len(names)} features" + (f", {measures}" if measures else ""),
               err=True)
    if to_mlflow:
        from bridge.mlflow.tracking import log_training

        logged = log_training(folder, trained, experiment=experiment, register=register_name)
        click.echo(f"mfbridge: logged to MLflow at {logged.tracking_uri}: experiment {logged.experiment}, run "
                   f"{logged.run_id} (score it with --model {logged.run_spec})", err=True)
        if logged.version_spec:
            click.echo(f"mfbridge: registered {logged.registered} version {logged.version} ({logged.version_spec}); "
                       f"point an alias at it to publish it, e.g. mlflow:models:/{logged.registered}@champion",
                       err=True)


def _check_mlflow_options(to_mlflow: bool, experiment: str | None, register_name: str | None) -> None:
    """--experiment and --register need --mlflow; with it, MLflow must be installed before training starts."""
    for option, value in (("--experiment", experiment), ("--register", register_name)):
        if value is not None and not to_mlflow:
            raise click.UsageError(f"{option} needs --mlflow (it names where the training is logged in MLflow)")
    if register_name is not None and (not register_name.strip() or any(c in register_name for c in "/:@")
                                      or register_name != register_name.strip()):
        # '@' is legal in MLflow but would make mlflow:models:/NAME@ALIAS ambiguous
        raise click.BadParameter(f"{register_name!r} is not a registered model name (not empty, no '/', ':' "
                                 "or '@', no spaces at its ends)", param_hint="--register")
    if to_mlflow:
        from bridge.mlflow.registry import import_mlflow

        import_mlflow()  # without the extra: one line naming it, before minutes of training are spent


def _scale(objective: str) -> str:
    """The score scale of an objective: a probability, or the predicted value of a regression."""
    return "probability" if objective in ("binary", "cross_entropy") else "value"


def _check_columns(df, names: list[str], option: str) -> None:
    """A usage error naming the option when a field is not a decoded column (with the nearest names)."""
    import difflib

    for name in names:
        if name.upper() not in df.columns:
            near = difflib.get_close_matches(name.upper(), list(df.columns), n=3)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            raise click.BadParameter(f"{name} is not a field of the record (a column of the decoded file){hint}",
                                     param_hint=option)


def _check_label(df, label: str, positive: str | None) -> None:
    """Without --positive the label must hold 0 and 1; otherwise say which values it holds."""
    if positive is not None:
        return
    seen = {str(v).strip() for v in df[label].dropna().unique().tolist()[:50]}
    if not seen <= {"0", "1"}:
        shown = ", ".join(sorted(seen)[:10])
        raise click.BadParameter(f"{label} holds {shown}, not only 0 and 1: give the value of the adverse class "
                                 "with --positive VALUE", param_hint="--label")


def _default_model_id(output: str, record, model_id_field: str | None) -> str:
    """The folder name, upper case, cut to the model-id field (8 characters without one)."""
    width = 8
    if model_id_field:
        try:
            width = record.field(model_id_field).length
        except Exception:  # noqa: BLE001 - the card's validation names the field clearly
            pass
    return Path(output).name.upper()[:width]


def _bands(text: str | None):
    from bridge.score.card import Band

    if not text:
        raise click.BadParameter("--band-field needs --bands UPPER:LABEL,...", param_hint="--bands")
    out = []
    for part in text.split(","):
        upper, sep, label = part.partition(":")
        try:
            out.append(Band(upper=Decimal(upper.strip()), label=label.strip()))
        except InvalidOperation:
            raise click.BadParameter(f"{part!r} is not UPPER:LABEL", param_hint="--bands") from None
        if not sep or not label.strip():
            raise click.BadParameter(f"{part!r} is not UPPER:LABEL", param_hint="--bands")
    return tuple(out)


def _reason_table(features: list[str], record, reason_field: str | None) -> dict[str, str]:
    """Default reason codes: R001, R002, ... in feature order, as wide as the reason field allows."""
    width = 4
    if reason_field:
        try:
            width = record.field(reason_field).length
        except Exception:  # noqa: BLE001 - validated later with a clear message
            pass
    digits = max(1, min(3, width - 1))
    return {name: f"R{i:0{digits}d}" for i, name in enumerate(features, 1)}


@click.command("score")
@data_argument
@copybook_options
@reader_options
@click.option("--model", "model_dir", required=True, type=MODEL_PLACE, metavar="FOLDER|mlflow:URI",
              help="Model folder written by `mfbridge train` (model.txt and card.toml), or a model in MLflow: "
                   "mlflow:models:/NAME@ALIAS, mlflow:models:/NAME/VERSION or mlflow:runs:/RUN_ID/model.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              callback=check_output_or_url,
              help="Scored data file to write (same layout, framing and code page as DATA; with --engine dask "
                   "also an fsspec URL).")
@click.option("--report", "report_path", default=None, type=click.Path(dir_okay=False), callback=check_output,
              help="Write the run report (JSON; a readable .txt and an HTML page with its charts beside it).")
@click.option("--shadow", "shadow_dir", default=None, type=MODEL_PLACE, metavar="FOLDER|mlflow:URI",
              help="Challenger model (a folder or an mlflow: spec) scored alongside and compared in the report, "
                   "never written.")
@engine_options
@threads_option
@quiet_option
def score_command(data: str, model_dir: str, output: str, report_path: str | None, shadow_dir: str | None,
                  quiet: bool, **params) -> None:
    """Score DATA with MODEL and write the scored file (same layout, framing, code page) to OUTPUT."""
    from bridge.cli.engine import check_engine_use
    from bridge.score.file import score_file

    dask = check_engine_use(data, params, output=output)
    refuse_output_over_input(data, output)
    model_dir = _model_place("model", model_dir)
    shadow_dir = _model_place("shadow", shadow_dir) if shadow_dir else None
    layout = load_layout(params["copybook"], params["include"], params["dialect"], params["strict"])
    kw = reader_kwargs(params)
    import os

    if dask:
        from bridge.cli.engine import score_on_dask

        result = score_on_dask(data, layout, model_dir, output, shadow_dir=shadow_dir, report_path=report_path,
                               quiet=quiet, params=params, reader=kw)
    else:
        with output_file(output) as target, progress_for("scoring", quiet=quiet, total_bytes=os.path.getsize(data),
                                                         watch_input=data):
            result = score_file(data, target, layout, model_dir, shadow_dir=shadow_dir, report_path=report_path,
                                **kw)
    click.echo(result.summary.rstrip(), err=True)
    if report_path is None:
        return
    from pathlib import Path

    from bridge.report.run import write_run_page

    page = Path(report_path).with_suffix(".html")
    write_run_page(result.report, page)
    click.echo(f"mfbridge: report written to {report_path} (readable: {page})", err=True)


def _model_place(role: str, place: str) -> str:
    """A model folder as given, or an ``mlflow:`` spec resolved to its cached folder (RC 12 when it cannot be),
    named on standard error so that the log says which version scored."""
    from bridge.mlflow import is_mlflow_spec, model_folder

    folder = str(model_folder(place))
    if is_mlflow_spec(place):
        click.echo(f"mfbridge: {role} {place} is {folder}", err=True)
    return folder
