# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. Importer les suivis des collectifs
#
# Chaque collectif local a tenu son propre tableur : un classeur national, des
# classeurs par groupe (une colonne par mesure, une ligne par mesure, ou les mesures
# listées dans une cellule), des exports CSV, des fichiers LibreOffice. Ce notebook
# les importe tous, lit le rapport de validation, corrige les erreurs signalées et
# réimporte.
#
# **Données fictives – démonstration** : les suivis utilisés ici sont inventés
# (`data/raw/demo/`) ; aucune liste ni aucune personne réelle n'y figure.

# %%
import shutil

import openpyxl
import pandas as pd

import pacte_analysis as pa

dossier = pa.raw_dir() / "demo"
if not (dossier / "LISEZMOI.md").exists():
    pa.generate_demo(dossier)
sorted(p.relative_to(dossier).as_posix() for p in dossier.rglob("*") if p.is_file())

# %% [markdown]
# ## Premier import
#
# `pa.ingest` lit les fichiers et dossiers donnés, reconnaît la disposition de chaque
# feuille et rend trois tables : `lists` (une ligne par liste), `commitments` (une
# ligne par liste et par mesure) et `rejects` (tout ce qui n'a pas pu être importé,
# avec le fichier, la feuille, la ligne et la colonne). Rien n'est perdu en silence :
# le rapport se termine par le rapprochement des lignes lues.

# %%
resultat = pa.ingest(dossier)
print(resultat.report(details=False))

# %%
resultat.lists.head()

# %% [markdown]
# ## Le rapport de validation
#
# Chaque problème a un code stable (`UNKNOWN_COMMUNE`, `AMBIGUOUS_COMMUNE`,
# `INVALID_VALUE`, …) et un message en français qui dit quoi faire.

# %%
rejets = resultat.rejects
rejets.groupby("code").size().rename("rejets").to_frame()

# %%
pd.set_option("display.max_colwidth", 120)
rejets[["source_file", "source_row", "source_column", "code", "message"]]

# %% [markdown]
# ## Corriger et réimporter
#
# Les fichiers de `data/raw` ne sont jamais modifiés. On corrige une **copie** du
# fichier fautif dans `data/processed/notebooks/corrections/` :
#
# * une commune mal orthographiée prend le nom que propose le message
#   (« Vouliez-vous dire … ? ») ;
# * une commune ambiguë reçoit son département, écrit dans le nom
#   (« Saint-Denis (93) ») — c'est au collectif de savoir de quelle commune il s'agit :
#   ici, nous choisissons la première candidate, pour la démonstration.

# %%
a_corriger = rejets[rejets["code"].isin(["UNKNOWN_COMMUNE", "AMBIGUOUS_COMMUNE"])]
fichier = a_corriger["source_file"].iloc[0]
original = next(p for p in dossier.rglob("*") if p.as_posix().endswith(str(fichier)))
corrections = pa.processed_dir() / "notebooks" / "corrections"
shutil.rmtree(corrections, ignore_errors=True)
corrections.mkdir(parents=True)
copie = corrections / original.name
shutil.copy(original, copie)

classeur = openpyxl.load_workbook(copie)
feuille = classeur[a_corriger["source_sheet"].iloc[0]]
entete = next(
    row for row in feuille.iter_rows(max_row=10) if any(c.value == "Commune" for c in row)
)
colonne_commune = next(c.column for c in entete if c.value == "Commune")

for rejet in a_corriger[a_corriger["source_file"] == fichier].itertuples():
    cellule = feuille.cell(row=int(rejet.source_row), column=colonne_commune)
    ancien = str(cellule.value)
    departement = str(rejet.raw_value).split(" / ")[1] if " / " in str(rejet.raw_value) else None
    candidates = pa.resolve_commune(name=ancien, departement=departement).candidates
    if candidates:
        choix = candidates[0]
        cellule.value = f"{choix.name} ({choix.departement_code})"
        print(f"ligne {rejet.source_row} : « {ancien} » → « {cellule.value} »")
classeur.save(copie)

# %% [markdown]
# On réimporte : tous les fichiers d'origine sauf celui qu'on a corrigé, plus sa
# copie corrigée.

# %%
suivis = [p for p in sorted(dossier.rglob("*")) if p.suffix in {".xlsx", ".ods", ".csv"}]
fichiers = [p for p in suivis if p != original] + [copie]
resultat2 = pa.ingest(fichiers)
print(resultat2.report(details=False).splitlines()[-1])
avant = resultat.rejects.groupby("code").size()
apres = resultat2.rejects.groupby("code").size()
pd.DataFrame({"avant": avant, "après": apres}).fillna(0).astype(int)

# %%
assert len(resultat2.lists) > len(resultat.lists)
assert not resultat2.rejects["code"].isin(["UNKNOWN_COMMUNE", "AMBIGUOUS_COMMUNE"]).any()

# %% [markdown]
# ## Écrire les tables
#
# `pa.write_tables` écrit `lists`, `commitments` et `rejects` en Parquet et en CSV,
# plus un classeur `pacte-resultats.xlsx` (une feuille par table) pour qui travaille
# dans un tableur. Les cellules qui commencent par `=`, `+`, `-` ou `@` sont
# neutralisées (pas de formule exécutée à l'ouverture).

# %%
sortie = pa.processed_dir() / "notebooks" / "tables"
ecrits = pa.write_tables(resultat2, sortie)
[p.name for p in ecrits]

# %% [markdown]
# Pour un nouveau collectif, `pa.write_template("suivi.xlsx")` (ou
# `pacte template suivi.xlsx`) écrit un classeur vierge : une feuille d'instructions,
# les mesures en colonnes avec leurs intitulés et des listes déroulantes pour les
# valeurs. Rempli, il s'importe sans aucun rejet.
